def gen():
    i = 0
    while True:
        yield i
        i += 1

# an endless reader ends once the limit is satisfied
GB('PythonReader').map(lambda x: x * 2).limit(3).run(gen)
