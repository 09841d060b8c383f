"""How the pipeline runs itself: sensors (and, in later work, schedules and alerts)."""
