using System.Numerics.Tensors;

namespace DiffQuant.LinearAlgebra;

/// <summary>G = AᵀA, row-major n × n.</summary>
public static class GramMatrix
{
    /// <summary>
    /// Dense A: the columns are gathered once and G_ij = ⟨a_i, a_j⟩ taken as SIMD dot products over the
    /// upper triangle (n²m/2 multiply-adds). Other operators: G = Σ_rows a_r a_rᵀ from the entries.
    /// </summary>
    public static double[] Compute(ILinearOperator a)
    {
        var n = a.Columns;
        var m = a.Rows;
        var gram = new double[n * n];
        if (a is DenseMatrix dense)
        {
            var columns = new double[n * m];
            for (var i = 0; i < m; i++)
            {
                var row = dense.Row(i);
                for (var j = 0; j < n; j++)
                {
                    columns[(j * m) + i] = row[j];
                }
            }

            for (var i = 0; i < n; i++)
            {
                var ci = columns.AsSpan(i * m, m);
                for (var j = i; j < n; j++)
                {
                    gram[(i * n) + j] = gram[(j * n) + i] = TensorPrimitives.Dot(ci, columns.AsSpan(j * m, m));
                }
            }

            return gram;
        }

        var entries = a.ToArray();
        var rowValues = new List<(int Column, double Value)>();
        for (var r = 0; r < m; r++)
        {
            rowValues.Clear();
            for (var j = 0; j < n; j++)
            {
                if (entries[r, j] != 0)
                {
                    rowValues.Add((j, entries[r, j]));
                }
            }

            foreach (var (i, vi) in rowValues)
            {
                foreach (var (j, vj) in rowValues)
                {
                    gram[(i * n) + j] += vi * vj;
                }
            }
        }

        return gram;
    }
}
