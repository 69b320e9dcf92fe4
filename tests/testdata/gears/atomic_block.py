def gen():
    with atomic():
        execute('SET', 'at:k', 'v')
        try:
            with atomic():
                pass
        except redisgears.GearsError as e:
            yield str(e)
    yield execute('GET', 'at:k')

GB('PythonReader').run(gen)
