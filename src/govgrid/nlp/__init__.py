"""Chinese-language intelligence (issue 13): reading citizens' messages like an experienced dispatcher.

Pure functions over text and arrays; no database. `segment` cuts text into words, `features` turns words
into TF-IDF vectors, `classifier` trains, saves, loads and applies the 12345 category model, `messages`
reads the message files, `evaluation` scores predictions against labels."""
