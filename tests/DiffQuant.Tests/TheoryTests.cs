using DiffQuant.Methods;
using DiffQuant.Ranges;
using DiffQuant.Theory;

namespace DiffQuant.Tests;

public class TheoryTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(3.6)]
    [InlineData(10.25)]
    [InlineData(1e4)]
    public void Classical_tunings_match_the_spectral_radius_of_their_iteration(double kappa)
    {
        foreach (var momentum in Enum.GetValues<Momentum>())
        {
            var tuning = Tuning.For(momentum, kappa, 1);
            var radius = new SpectralResponse(momentum, tuning, kappa, 1).SpectralRadius;
            Assert.Equal(tuning.Sigma, radius, 6);
        }
    }

    [Fact]
    public void An_overridden_step_recomputes_sigma()
    {
        var tuning = Tuning.For(Momentum.None, 10, 1, stepSize: 0.1);
        Assert.Equal(0.9, tuning.Sigma, 12);
        Assert.Throws<DiffQuantException>(() => Tuning.For(Momentum.None, 10, 1, momentumOverride: 0.5));
        Assert.Throws<DiffQuantException>(() => Tuning.For(Momentum.HeavyBall, 10, 1, momentumOverride: 1.5));
        Assert.Throws<DiffQuantException>(() => Tuning.For(Momentum.HeavyBall, 1, 10));
    }

    [Fact]
    public void Thresholds_are_where_the_bounds_meet_sigma()
    {
        const double rho = 10;
        foreach (var kappa in new[] { 3.6, 10.25, 100 })
        {
            var sigma = Bounds.SigmaGd(kappa);
            var r = Bounds.LossFreeThreshold(sigma, rho);
            Assert.Equal(sigma, rho * Math.Pow(2, -r), 12);
            Assert.Equal(sigma, Bounds.DqGd(sigma, rho, r + 0.01), 12);
            Assert.True(Bounds.DqGd(sigma, rho, r - 0.01) > sigma);

            var hb = Tuning.For(Momentum.HeavyBall, kappa, 1);
            var threshold = Bounds.MomentumThreshold(hb.Sigma, hb.Gamma, rho);
            Assert.Equal(hb.Sigma, Bounds.DqMomentum(hb.Sigma, hb.Gamma, rho * Math.Pow(2, -threshold)), 9);
            Assert.True(Bounds.DqMomentum(hb.Sigma, hb.Gamma, rho * Math.Pow(2, -(threshold - 0.1))) > hb.Sigma);
        }
    }

    [Fact]
    public void Dq_beats_nq_and_the_converse_is_below_both()
    {
        for (var rate = 1; rate <= 16; rate++)
        {
            var sigma = Bounds.SigmaGd(4);
            var dq = Bounds.DqGd(sigma, 10, rate);
            var nq = Bounds.NqGdPaper(sigma, 10, rate);
            var converse = Bounds.Converse(sigma, rate);
            Assert.True(converse <= dq && dq < nq);
        }

        Assert.Equal(Math.Log2(1e9), Bounds.VolumeFloor(1e-9), 12);
    }

    [Fact]
    public void The_nq_gd_schedule_rate_is_sigma_plus_eta_L_epsilon()
    {
        const double l = 4, mu = 1, epsilon = 0.01;
        var tuning = Tuning.For(Momentum.None, l, mu);
        var guaranteed = Bounds.Guaranteed(new MethodSpec(Momentum.None, Compensation.Naive), tuning, epsilon, l, mu);
        Assert.Equal(tuning.Sigma + (tuning.StepSize * l * epsilon), guaranteed, 12);

        // The general convolution schedule reduces to r_t = L D s^t for GD.
        var schedule = new RangeSchedule(Compensation.Naive, new SpectralResponse(Momentum.None, tuning, l, mu), tuning, l, 2, epsilon);
        for (var t = 0; t < 50; t++)
        {
            Assert.Equal(l * 2 * Math.Pow(guaranteed, t), schedule.At(t), 1e-9 * schedule.At(t));
        }
    }

    [Fact]
    public void The_dq_gd_schedule_is_the_papers_recursion()
    {
        const double l = 10, mu = 1, d = 3, epsilon = 0.2;
        var tuning = Tuning.For(Momentum.None, l, mu);
        var schedule = new RangeSchedule(Compensation.Differential, new SpectralResponse(Momentum.None, tuning, l, mu), tuning, l, d, epsilon);
        var expected = d * l;
        for (var t = 0; t < 60; t++)
        {
            Assert.Equal(expected, schedule.At(t), 1e-12 * expected);
            expected = (Math.Pow(tuning.Sigma, t + 1) * d * l) + (epsilon * expected);
        }
    }

    [Theory]
    [InlineData(Momentum.HeavyBall)]
    [InlineData(Momentum.Nesterov)]
    public void Nq_momentum_bounds_fall_with_the_rate_toward_sigma(Momentum momentum)
    {
        const double kappa = 3.6;
        var tuning = Tuning.For(momentum, kappa, 1);
        var method = new MethodSpec(momentum, Compensation.Naive);
        var previous = double.PositiveInfinity;
        for (var rate = 4; rate <= 24; rate += 2)
        {
            var bound = Bounds.Guaranteed(method, tuning, 10 * Math.Pow(2, -rate), kappa, 1);
            Assert.True(bound < previous, $"R = {rate}: {bound} not below {previous}");
            Assert.True(bound >= tuning.Sigma);
            previous = bound;
        }

        Assert.InRange(previous, tuning.Sigma, tuning.Sigma * 1.01);
    }
}
