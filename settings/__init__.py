"""The settings layer every package builds on: the repository root, the ``.env`` file and typed settings.

Each package's ``config.py`` declares its own ``Settings`` class (one field, one default per setting, the
environment variable names of the README and ``.env.example``); this package only holds what they share.
Yes/no settings take one set of words everywhere, pydantic's, case-insensitive: ``1, true, yes, on, t, y``
and ``0, false, no, off, f, n``; any other value is refused with a one-line error naming the variable.
"""

from settings.base import Settings, SettingsError, flag
from settings.environment import ENV_FILE, REPO_ROOT, load_env_file, read_env_file

__all__ = ["ENV_FILE", "REPO_ROOT", "Settings", "SettingsError", "flag", "load_env_file", "read_env_file"]
