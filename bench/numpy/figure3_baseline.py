#!/usr/bin/env python3
"""The NumPy baseline of `dq figure3`: the same work as a plain per-run NumPy loop.

Per instance: A (m x n) and y with i.i.d. N(0, 1) entries and x0 ~ N(0, I); H = A^T A, b = A^T y,
L and mu from eigvalsh(H), x* from a solve refined twice with residuals of A (as dq does); L, mu and D rounded
outward to the setup message's 16-bit fields (binary32's bits 30..15), as dq's server receives them.
Per run, at every rate R of the grid:
  gd            x <- x - eta (H x - b)
  nq-gd paper   u = H x - b, range r_t = L D (sigma + rho 2^-R)^t           (what the paper's Fig. 3 ran)
  nq-gd worst   u = H x - b, range r_t = L [D sigma^t + eta eps sum_tau sigma^(t-1-tau) r_tau]
  dq-gd worst   u = H (x + eta e) - b - e, range r_t = sigma^t D L + eps r_(t-1)
with eta = 2/(L+mu), sigma = (kappa-1)/(kappa+1), the cube quantizer of [-r, r]^n with R bits a
coordinate (midpoint cells, saturating), eps = sqrt(n) 2^-R its covering radius at range 1, rho = sqrt(n),
and x <- x - eta q. Stops as dq does, checked in this order before each round: relative error above
1e8 or a non-finite iterate, relative error <= floor, no new best for `stall` iterations, `max_iter`
iterations. Empirical rate = min(1, (e_T / e_0)^(1/T)).

The random streams differ from dq's (NumPy's PCG64), so the means agree with dq's to sampling error,
not digit for digit. Prints one JSON document: timings and the mean rate of every (method, range, R).
"""
import argparse
import json
import math
import time

import numpy as np


def quantize(u, r, bits):
    width = 2.0 * r * 2.0 ** -bits
    cells = np.clip(np.floor((u + r) / width), 0, 2 ** bits - 1)
    return -r + (cells + 0.5) * width


def run(H, b, x0, xstar, eta, update, floor, stall, max_iter):
    """One run; update(x, t) returns the next iterate. Returns (iterations, empirical rate)."""
    x = x0.copy()
    e0 = np.linalg.norm(x0 - xstar)
    err, best, best_at, t = 1.0, 1.0, 0, 0
    while True:
        if not np.all(np.isfinite(x)) or err > 1e8 or err <= floor or t - best_at >= stall or t >= max_iter:
            break
        x = update(x, t)
        t += 1
        err = np.linalg.norm(x - xstar) / e0
        if not err >= best:
            best, best_at = err, t
    rate = 1.0 if t == 0 or math.isnan(err) else min(1.0, (err / 1.0) ** (1.0 / t))
    return t, rate


def setup_field(value, up):
    """value rounded up (or down) to a non-negative float with 8 exponent and 8 mantissa bits, as dq's setup sends it."""
    field = int(np.array(value, dtype=np.float32).view(np.uint32)) >> 15

    def decode(f):
        return float(np.array(f << 15, dtype=np.uint32).view(np.float32))

    if (decode(field) < value) if up else (decode(field) > value):
        field += 1 if up else -1
    return decode(field)


def instance(rng, m, n, rates, floor, stall, max_iter):
    A = rng.standard_normal((m, n))
    y = rng.standard_normal(m)
    x0 = rng.standard_normal(n)
    H = A.T @ A
    b = A.T @ y
    eig = np.linalg.eigvalsh(H)
    mu, L = setup_field(eig[0], up=False), setup_field(eig[-1], up=True)
    xstar = np.linalg.solve(H, b)
    for _ in range(2):
        xstar += np.linalg.solve(H, A.T @ (y - A @ xstar))
    eta = 2.0 / (L + mu)
    sigma = (L / mu - 1) / (L / mu + 1)
    D = setup_field(np.linalg.norm(x0 - xstar), up=True)
    rho = math.sqrt(n)
    results = []

    def gd(x, t):
        return x - eta * (H @ x - b)

    results.append(("gd", "none", 64, *run(H, b, x0, xstar, eta, gd, floor, stall, max_iter)))
    for R in rates:
        bits = int(R)
        eps = rho * 2.0 ** -R

        factor = sigma + rho * 2.0 ** -R

        def nq_paper(x, t):
            return x - eta * quantize(H @ x - b, L * D * factor ** t, bits)

        worst = {"drift": 0.0, "r": 0.0}

        def nq_worst(x, t):
            # drift_t = sum_tau sigma^(t-1-tau) r_tau, advanced in O(1)
            worst["drift"] = sigma * worst["drift"] + worst["r"] if t > 0 else 0.0
            worst["r"] = L * (D * sigma ** t + eta * eps * worst["drift"])
            return x - eta * quantize(H @ x - b, worst["r"], bits)

        state = {"e": np.zeros(n), "r": 0.0}

        def dq(x, t):
            state["r"] = sigma ** t * D * L + eps * state["r"]
            u = H @ (x + eta * state["e"]) - b - state["e"]
            q = quantize(u, state["r"], bits)
            state["e"] = q - u
            return x - eta * q

        results.append(("nq-gd", "paper", R, *run(H, b, x0, xstar, eta, nq_paper, floor, stall, max_iter)))
        results.append(("nq-gd", "worst-case", R, *run(H, b, x0, xstar, eta, nq_worst, floor, stall, max_iter)))
        results.append(("dq-gd", "worst-case", R, *run(H, b, x0, xstar, eta, dq, floor, stall, max_iter)))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--m", type=int, default=1000)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--rates", type=str, default="1-12", help="integer rates, e.g. 1-12")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--floor", type=float, default=1e-13)
    parser.add_argument("--stall", type=int, default=25)
    parser.add_argument("--max-iter", type=int, default=1000)
    args = parser.parse_args()
    low, _, high = args.rates.partition("-")
    rates = list(range(int(low), int(high or low) + 1))
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    runs = []
    for _ in range(args.instances):
        runs.extend(instance(rng, args.m, args.n, rates, args.floor, args.stall, args.max_iter))
    elapsed = time.perf_counter() - start
    iterations = sum(r[3] for r in runs)
    groups = {}
    for method, rng_name, R, _, rate in runs:
        groups.setdefault((method, rng_name, R), []).append(rate)
    print(json.dumps({
        "implementation": f"numpy {np.__version__}",
        "problem": f"gaussian {args.m}x{args.n}",
        "instances": args.instances,
        "run_count": len(runs),
        "iterations_total": iterations,
        "elapsed_seconds": elapsed,
        "microseconds_per_iteration": elapsed * 1e6 / max(1, iterations),
        "rows": [{"method": k[0], "range": k[1], "rate_bits": k[2], "empirical_rate_mean": sum(v) / len(v)}
                 for k, v in sorted(groups.items())],
    }, indent=1))


if __name__ == "__main__":
    main()
