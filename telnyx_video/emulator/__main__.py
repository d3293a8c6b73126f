"""``python -m telnyx_video.emulator``: serve the emulator until interrupted."""

from __future__ import annotations

import sys

from telnyx_video.emulator._cli import main

if __name__ == "__main__":
    sys.exit(main())
