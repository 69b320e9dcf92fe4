def gen():
    yield from ['p', 'q']

GB('PythonReader').map(lambda x: x * 2).run(gen, convertToStr=False)
