# lists give their elements; sets and sorted sets give no value
GB().map(lambda r: '%s %s %s' % (r['key'], r['type'], r['value'])).run('kc:*')
