// cxx.cpp - a C++ workload: namespaces, a class template, an anonymous
// namespace and a lambda, so a profile shows demangled names.
//   flame-test-cxx SECS
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <vector>

#define NOINLINE __attribute__((noinline))

namespace shapes {

template <typename T> class Matrix {
public:
	explicit Matrix(int n) : n_(n), v_(static_cast<size_t>(n) * n, T(1)) {}
	NOINLINE T multiply(const Matrix &o, int rounds) const
	{
		volatile int frame = 0; // a frame even in a leaf function (see work.c)
		T acc = T(frame);
		for (int r = 0; r < rounds; r++)
			for (int i = 0; i < n_; i++)
				for (int k = 0; k < n_; k++)
					acc += v_[static_cast<size_t>(i) * n_ + k] * o.v_[static_cast<size_t>(k) * n_ + i];
		return acc;
	}

private:
	int n_;
	std::vector<T> v_;
};

} // namespace shapes

namespace {

NOINLINE std::uint64_t helper(std::uint64_t x, long n)
{
	volatile int frame = 0; // a frame even in a leaf function (see work.c)
	x += static_cast<std::uint64_t>(frame);
	for (long i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

} // namespace

volatile double cxx_sink;

int main(int argc, char **argv)
{
	double secs = argc > 1 ? std::atof(argv[1]) : 1.0;
	auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
	shapes::Matrix<double> a(64), b(64);
	std::uint64_t x = 1;
	auto step = [&](int k) NOINLINE { x = helper(x, 100000L * k); };
	while (std::chrono::steady_clock::now() < end) {
		cxx_sink = cxx_sink + a.multiply(b, 8);
		step(2);
	}
	cxx_sink = cxx_sink + static_cast<double>(x);
	return 0;
}
