"""Optimal transport: stable Sinkhorn, smooth (L2 / entropic) OT, sparsity-constrained OT and
exact OT, with their duality certificates.

- :func:`sinkhorn`: entropic OT (absorption-stabilized scaling with epsilon-scaling by default,
  log-domain, or plain scaling), batched, warm-startable.
- :func:`smooth_ot`: squared-L2 or entropy regularized OT through the dual or semi-dual with
  L-BFGS (Blondel, Seguy & Rolet 2018).
- :func:`sparse_ot`: at most ``max_nz`` nonzeros per column (Liu, Puigcerver & Blondel 2023).
- :func:`exact_ot`: exact OT by a compiled network simplex (default; ``method="lp"``:
  HiGHS), certified by its dual potentials.

All return an :class:`OTResult`.  :class:`PointCloud` (points and a ground cost, the cost
never stored) and :class:`Geometry` (a dense cost) can stand in for ``C`` in :func:`sinkhorn`.
"""

from ._common import OTResult
from ._exact import exact_ot
from ._geometry import Geometry, PointCloud
from ._sinkhorn import sinkhorn
from ._smooth import smooth_ot, sparse_ot

__all__ = ["sinkhorn", "smooth_ot", "sparse_ot", "exact_ot", "OTResult", "Geometry", "PointCloud"]
