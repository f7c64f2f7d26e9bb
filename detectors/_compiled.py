"""The per-value path's access to a detector's state: one buffer, passed by address.

A numba call costs about 80 ns per array argument (unboxing one allocates a small
record), more than a detector's whole work on one value. So the detectors keep the
state, the parameters and one-value scratch slots of their per-value step in a single
float64 buffer, and the compiled step receives the buffer's address as an integer,
which :func:`buffer_view` turns back into an array without allocating. The step then
runs the detector's own array kernel over one-slot views of that buffer: one
implementation of the method, with no allocation per value.

The address is only valid while the buffer lives: the detector owns the buffer, and
re-reads the address whenever the buffer is replaced (``_reset``) or rebuilt
(unpickling, copying; see ``BaseStreamingDetector.__setstate__``).
"""

from __future__ import annotations

import numba
from numba import types
from numba.core.extending import intrinsic

__all__ = ["buffer_view"]


@intrinsic
def _f64_pointer(typingctx, addr):
    # an integer address reinterpreted as ``double *``
    sig = types.CPointer(types.float64)(addr)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(types.CPointer(types.float64)))

    return sig, codegen


@numba.njit(inline="always")
def buffer_view(addr, size):
    """The float64 buffer of ``size`` values at ``addr`` as a 1-d array (compiled code only).

    Examples
    --------
    >>> import numpy as np
    >>> @numba.njit
    ... def second(addr):
    ...     return buffer_view(addr, 2)[1]
    >>> buf = np.array([3.0, 4.0])  # kept alive while its address is used
    >>> second(buf.ctypes.data)
    4.0
    """
    return numba.carray(_f64_pointer(addr), size)
