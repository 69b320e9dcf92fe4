GB('KeysOnlyReader').run('kon:missing', noScan=True)
