"""The command dashboard (城市大脑): the big screen's figures, read through the case lists' and the
assessment's own services, so every number on the wall is the one its list and its report show."""
