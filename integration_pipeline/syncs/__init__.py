"""Entity syncs: the pure planning logic and the factory that turns specs into assets."""
