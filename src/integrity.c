/*
 * src/integrity.c: filled in by its area
 */
#include "postgres.h"
