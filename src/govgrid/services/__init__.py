"""Use cases. Each takes a Session first and keyword arguments after, gets `now` passed in where time
matters, checks permission through domain.permissions, writes an audit row, and owns the commit."""
