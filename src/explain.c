/*
 * src/explain.c: filled in by its area
 */
#include "postgres.h"
