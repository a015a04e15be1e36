/* Placeholder: being written. */
#include "cs-decode.h"
