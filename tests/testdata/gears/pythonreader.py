def gen():
    for i in range(5):
        yield i

GB('PythonReader').map(lambda x: x * 3).run(gen)
