"""castagnoli's release tooling: one module per command behind one entry, `python -m scripts COMMAND`.

Run from the project's root (make and tox do); `python -m scripts --help` lists the commands, and each
command's --help gives its contract. release-check.sh is the release check's shell entry;
repair_windows_wheel.py, cibuildwheel's Windows repair step, runs by path on its own.
"""
