"""The language models in use: dispatch suggestions for new cases and the labels dispatchers give."""
