GB('KeysOnlyReader').run('ko:*')
