def gen():
    yield hashtag()
    yield configGet('gearsd-test-no-such-key')
    yield gearsConfigGet('gearsd-test-no-such-key', 'fallback')
    yield isAsyncAllow()
    yield execute()

GB('PythonReader').run(gen)
