// (family module)
export {}
