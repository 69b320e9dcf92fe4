GB('KeysOnlyReader').run('eb:*', count='many')
