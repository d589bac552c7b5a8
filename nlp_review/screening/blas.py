"""One BLAS thread for the ranking solvers' many small vector operations.

OpenBLAS runs ``daxpy``/``ddot`` on several threads from 10,000 elements on. The solvers
call them thousands of times per decision on vectors as long as the project (one score per
record), and waking threads costs far more than the arithmetic: on this project's 2-core
machine one ``daxpy`` over 11,000 scores took 247 us on two threads against 2-5 us on one
(quiet machine; far worse on busy cores). Element-wise operations give the same numbers on
any number of threads, so limiting them changes no result.
"""

from __future__ import annotations

from threadpoolctl import ThreadpoolController

_CONTROLLER: list[ThreadpoolController] = []


def one_blas_thread():
    """A context with BLAS limited to one thread (the controller is made once: finding the
    loaded libraries takes milliseconds; entering the context about 50 us)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")
