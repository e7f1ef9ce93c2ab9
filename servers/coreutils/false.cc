// false: exits with status 1.
int main() {
  return 1;
}
