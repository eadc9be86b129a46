"""A synthetic camera: a moving diagonal gradient, made with av alone (no numpy needed)."""

from __future__ import annotations

from aiortc import VideoStreamTrack
from av import VideoFrame

__all__ = ["TestPatternTrack"]


class TestPatternTrack(VideoStreamTrack):
    """30 fps yuv420p frames whose luma ramp shifts by a few pixels each frame."""

    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, width: int = 320, height: int = 240) -> None:
        super().__init__()
        self.width, self.height = width, height
        # One long ramp; each row is a slice of it, offset by row and frame: a moving diagonal.
        self._ramp = bytes(i & 0xFF for i in range(256 + width + height))
        self._chroma = bytes([128]) * ((width // 2) * (height // 2))
        self._count = 0

    def _luma(self, shift: int) -> bytes:
        w, ramp = self.width, self._ramp
        return b"".join(ramp[(shift + y) % 256 :][:w] for y in range(self.height))

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(self.width, self.height, "yuv420p")
        for plane, data in zip(
            frame.planes, (self._luma(self._count * 4), self._chroma, self._chroma), strict=True
        ):
            if plane.line_size != plane.width:  # padded rows: lay each row out at line_size
                data = b"".join(
                    data[r * plane.width : (r + 1) * plane.width].ljust(plane.line_size, b"\0")
                    for r in range(plane.height)
                )
            plane.update(data)
        frame.pts, frame.time_base = pts, time_base
        self._count += 1
        return frame
