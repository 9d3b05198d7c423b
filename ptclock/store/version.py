"""The schema version and file marker, apart from the migrations (which need sqlite-utils).

Opening an up-to-date database reads these two numbers and never imports the migrations.
"""

APPLICATION_ID = 0x5054434B  # "PTCK": marks the file as ptclock's, in the SQLite header

SCHEMA_VERSION = 6
"""The newest schema this ptclock knows (the number of migrations); kept in user_version."""
