def gen():
    yield from 'abracadabra'

GB('PythonReader').countby().run(gen)
