"""Uploaded files are untrusted. Everything here reads a file's bytes defensively — sizes, decompressed
sizes, dimensions and structure are checked before (or while) anything is parsed, so a small file cannot
make the server spend gigabytes or minutes — and refuses with a message naming what is wrong."""
