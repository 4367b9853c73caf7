"""KeOps (pykeops LazyTensor, CPU) log-domain Sinkhorn on 2-D point clouds: the peer of
``benchmarks/ot_keops.py``.  Runs in the venv made by ``benchmarks/setup_keops.sh`` (torch CPU
build, pykeops, geomloss); prints one JSON line.

Same problem and stopping rule as ours: ``a = b = 1/n``, cost ``|x_i - y_j|^2``, reg ``eps``,
plain alternating log-domain updates

    f_i = -eps LSE_j(log b_j + (g_j - C_ij)/eps),   g_j = -eps LSE_i(log a_i + (f_i - C_ij)/eps),

each a KeOps online reduction (the n x m matrix is never stored).  After the g-update the
column marginals are exact and the row marginals are ``a_i exp((f_i - f_i^new)/eps)``, so the
L1 marginal error ``sum_i a_i |exp((f_i - f_i^new)/eps) - 1|`` comes free with the next
f-update; stop when it is <= tol.  (geomloss's ``SamplesLoss("sinkhorn")`` runs the same
reductions but with epsilon-scaling and a fixed annealing schedule, not a marginal rule, so
the loop is written here on KeOps directly.)

Usage: ``python _keops_sinkhorn.py N REG TOL MAX_ITER [SEED]``.
"""

import json
import os
import resource
import sys
import time

import numpy as np
import torch
from pykeops.torch import LazyTensor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ot_pointcloud import cloud  # noqa: E402  (the same points as ours; stdlib-only import)


def solve(x, y, a, eps, tol, max_iter):
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    la = torch.from_numpy(np.log(a))
    lb = la.clone()
    n, m = x.shape[0], y.shape[0]
    X, Y = LazyTensor(x[:, None, :]), LazyTensor(y[None, :, :])
    C = ((X - Y) ** 2).sum(-1)
    f = torch.zeros(n, dtype=torch.float64)
    g = torch.zeros(m, dtype=torch.float64)
    a_t = torch.exp(la)

    def f_update(g):
        G = LazyTensor((lb + g / eps)[None, :, None])
        return -eps * (G - C / eps).logsumexp(dim=1).view(-1)

    def g_update(f):
        F = LazyTensor((la + f / eps)[:, None, None])
        return -eps * (F - C / eps).logsumexp(dim=0).view(-1)

    f = f_update(g)
    err, it = float("inf"), 0
    while it < max_iter:
        g = g_update(f)
        f_new = f_update(g)
        it += 1
        err = float((a_t * torch.abs(torch.exp((f - f_new) / eps) - 1.0)).sum())
        f = f_new
        if err <= tol:
            break
    return f.numpy(), g.numpy(), it, err


def main():
    n, eps, tol, max_iter = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), \
        int(sys.argv[4])
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    import pykeops
    t = time.perf_counter()
    xs, ys, as_ = cloud(600, seed=1)
    solve(xs, ys, as_, eps, tol, 3)               # compile (or load) the two reductions
    t_compile = time.perf_counter() - t
    x, y, a = cloud(n, seed)
    t = time.perf_counter()
    f, g, it, err = solve(x, y, a, eps, tol, max_iter)
    t_solve = time.perf_counter() - t
    print(json.dumps(dict(solver="keops", n=n, compile_s=t_compile, solve_s=t_solve, n_iter=it,
                          l1_err=err, success=bool(err <= tol), full=it < max_iter or
                          err <= tol, threads=torch.get_num_threads(),
                          f_mean=float(np.mean(f)), versions=dict(
                              pykeops=pykeops.__version__, torch=torch.__version__),
                          peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                          / 1024.0)))


if __name__ == "__main__":
    main()
