def gen():
    yield from []

GB('PythonReader').avg().run(gen)
