"""``python -m telnyx_video``: the ``telnyx-video`` command line."""

import sys

from telnyx_video.cli import main

if __name__ == "__main__":
    sys.exit(main())
