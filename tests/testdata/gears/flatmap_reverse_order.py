def gen():
    yield 'ab'
    yield 'xyz'

# elements of a returned list come out last element first
GB('PythonReader').flatmap(lambda s: list(s)).run(gen)
