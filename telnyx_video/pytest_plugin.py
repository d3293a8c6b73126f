"""pytest plugin of telnyx-video: fixtures that run the offline emulator for your tests.

Registered through the ``pytest11`` entry point. Importing this module is cheap: the
emulator and the clients are imported only when a fixture is first used.
"""

from __future__ import annotations
