def gen():
    try:
        execute('SET', 'only-a-key')
    except redisgears.GearsError as e:
        yield str(e)

GB('PythonReader').run(gen)
