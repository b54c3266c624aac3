"""What the package tests share: the published vectors and the fixture that forces each kernel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from castagnoli import _crc32c, kernel as kernel_in_use, kernels

# every kernel, as kernels() lists them; "auto" is the CPU table's choice per size
KERNELS = ["zmm_v4", "zmm_r2", "ymm_v4", "zmm_v3s2w4", "zmm_v3s1w2", "zmm_v4s4w4", "zmm_v4s5w2", "ymm_v4s4w4",
           "xmm_v4s4w4", "crc_s6_far", "crc_s3_clmul", "crc_s3", "portable"]

# RFC 3720 appendix B.4, and the customary check value.
VECTORS = [
    pytest.param(bytes(32), 0x8A9136AA, id="32-zero-bytes"),
    pytest.param(b"\xff" * 32, 0x62A8AB43, id="32-ff-bytes"),
    pytest.param(bytes(range(32)), 0x46DD794E, id="ascending-0-31"),
    pytest.param(bytes(range(31, -1, -1)), 0x113FDB5C, id="descending-31-0"),
    pytest.param(b"123456789", 0xE3069283, id="check-123456789"),
    pytest.param(b"", 0, id="empty"),
]


@pytest.fixture(params=["auto", *KERNELS])
def kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """The CPU table's choice, then each kernel forced in turn; skipped where this CPU lacks it (and forcing it
    must fail)."""
    name: str = request.param
    status = "ok" if name == "auto" else kernels()[name]
    if status != "ok":
        with pytest.raises(ValueError, match="does not support|failed its self-test"):
            _crc32c.use_kernel(name)
        reason = "failed its self-test here" if status == "failed self-test" else "needs what this CPU or OS lacks"
        pytest.skip(f"the {name} kernel {reason}")
    before = kernel_in_use()
    _crc32c.use_kernel(name)
    try:
        yield name
    finally:
        _crc32c.use_kernel(before)
