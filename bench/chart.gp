# bench/chart.gp - bench/chart.svg from build/bench/ratios.dat (bench/run.py writes both):
#     gnuplot -e "datafile='build/bench/ratios.dat'; output='bench/chart.svg'" bench/chart.gp
# Columns: what, against what, ratio, goal (NaN: none), 1 met / 0 missed / 2 no goal.
# One bar per comparison: the library's instructions per operation divided by the competitor's
# (below 1: the library does less work). Green: the issue's goal met; red: missed; grey: no goal.
# The black mark on a bar is its goal.
if (!exists("datafile")) datafile = 'build/bench/ratios.dat'
if (!exists("output")) output = 'bench/chart.svg'

set terminal svg size 1300,500 dynamic noenhanced font "sans,12" background rgb "white"
set output output
set title "stripe_connect.h: instructions per operation, as a fraction of the alternative's (callgrind)"
set ylabel "library / alternative (log scale)"
set logscale y
set yrange [0.05:3]
set ytics nomirror ("0.05" 0.05, "0.1" 0.1, "0.2" 0.2, "0.5" 0.5, "1" 1, "2" 2)
set grid ytics lc rgb "#dddddd"
set xrange [-0.6:*]
set xtics nomirror
set bmargin 4
set border 3
set key off
set label 1 "black mark: the goal;  green: met, red: missed, grey: no goal" at graph 0.01, graph 0.97 left font ",10"
set style fill solid 0.85 noborder
set boxwidth 0.6

colour(met) = met == 1 ? 0x2e9e4f : (met == 0 ? 0xd03b3b : 0x9a9a9a)

plot datafile using 0:3:(colour($5)):xtic(sprintf("%s\n%s", strcol(1), strcol(2))) with boxes lc rgb variable, \
     '' using ($0 - 0.36):4:(0.72):(0) with vectors nohead lw 3 lc rgb "black", \
     '' using 0:($3 * 1.12):(sprintf("%.3f", $3)) with labels font "sans,11", \
     1 with lines dt 2 lc rgb "#555555"
