"""Figure builders: engine result objects → plotly figures (or LaTeX strings). No Streamlit here.

cell_diagram.cell_diagram   one step of one unit as the lecture's memory-cell figure
equations.cell_equations    that step's equations with its numbers, as LaTeX for st.latex
timeline.state_heatmaps     every gate and state over the sequence, units × steps
timeline.state_lines        the same as line plots, for a few units
animation.memory_animation  the memory over the sequence as a browser-side animation
animation.animation_html    that animation as a self-contained, offline HTML page
"""
