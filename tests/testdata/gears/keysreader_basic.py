GB().map(lambda r: '%s|%s' % (r['key'], r['type'])).run('kb:*')
