#!/bin/sh
# Prisma CLI looks for a native schema engine it cannot download offline; generate/validate/format never run it.
exit 1
