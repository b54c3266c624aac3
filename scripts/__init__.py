"""castagnoli's release tooling: one module per command behind one entry, `python -m scripts COMMAND`.

Run from the project's root (make and tox do): the checks of a release (release_check, with the index
client in index, the conflict rule in conflict_check, the published check in published_check), the
GitHub Release (github_release), the upload rehearsal (publish_rehearsal), the wheel builds
(build_wheels) and make test's verdict (test_report). release-check.sh is the shell half of the release
check; repair_windows_wheel.py, cibuildwheel's Windows repair step, runs by path on its own.
"""
