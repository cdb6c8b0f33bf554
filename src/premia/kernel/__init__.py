"""Value types and pure helpers shared by every domain area. Nothing here does I/O."""
