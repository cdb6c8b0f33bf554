"""The stored rating catalog: each loaded version kept with its source files, the newest in force."""
