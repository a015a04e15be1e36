/* Placeholder: being written. */
#include "clip-private.h"
