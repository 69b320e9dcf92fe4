def gen():
    yield from ['a1', 'b1', 'a2', 'a3']

GB('PythonReader').batchgroupby(lambda x: x[0], lambda k, records: sorted(records)).run(gen)
