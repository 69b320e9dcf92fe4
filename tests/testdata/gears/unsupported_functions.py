def gen():
    for f in (registerTE, gearsFuture, createFuture, runCoroutine):
        try:
            f()
        except redisgears.GearsError as e:
            yield str(e)

GB('PythonReader').run(gen)
