"""Sign-in's own records."""
