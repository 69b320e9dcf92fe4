GB('NoSuchReader')
