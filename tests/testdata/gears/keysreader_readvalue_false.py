GB().map(lambda r: '%s %s %s' % (r['key'], sorted(r), r['event'])).run('rv:*', readValue=False)
