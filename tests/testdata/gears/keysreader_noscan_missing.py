GB().map(lambda r: '%s %s %s' % (r['key'], r['type'], r['value'])).run('ns:missing', noScan=True)
