GB('KeysOnlyReader').map(lambda k: k + '!').run('kon:a', noScan=True)
